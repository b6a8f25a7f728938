ALTER TABLE users
  ADD COLUMN role varchar NOT NULL DEFAULT 'depositor'
  CONSTRAINT users_role_known CHECK (role IN ('depositor', 'banker'));

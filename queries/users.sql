--: User()

--! create_user : User
--- Registers a user; the role starts as the column default ('depositor').
INSERT INTO users (username, hashed_password, full_name, email)
VALUES (:username, :hashed_password, :full_name, :email)
RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at;

--! get_user : User
--- One user by username.
SELECT username, hashed_password, full_name, email, role, password_changed_at, created_at
FROM users
WHERE username = :username;

--! update_user (hashed_password?, password_changed_at?, full_name?, email?) : User
--- Changes only the fields that are given; a NULL parameter keeps the current value.
UPDATE users
SET hashed_password = COALESCE(:hashed_password, hashed_password),
    password_changed_at = COALESCE(:password_changed_at, password_changed_at),
    full_name = COALESCE(:full_name, full_name),
    email = COALESCE(:email, email)
WHERE username = :username
RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at;

--! set_user_role : User
--- Makes a user a 'banker' or a 'depositor' (the column's CHECK refuses anything else).
UPDATE users
SET role = :role
WHERE username = :username
RETURNING username, hashed_password, full_name, email, role, password_changed_at, created_at;

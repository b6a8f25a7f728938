//! Property tests: the newtypes accept exactly the values their rules describe.

use proptest::prelude::*;

use super::*;

proptest! {
    #[test]
    fn usernames_of_the_allowed_alphabet_parse_and_round_trip(name in "[a-z0-9_]{3,100}") {
        let parsed = Username::parse(&name).unwrap();
        prop_assert_eq!(parsed.as_str(), name.as_str());
    }

    #[test]
    fn usernames_with_any_other_character_are_refused(
        prefix in "[a-z0-9_]{0,10}",
        bad in "[^a-z0-9_]",
        suffix in "[a-z0-9_]{2,10}",
    ) {
        let name = format!("{prefix}{bad}{suffix}");
        prop_assert!(Username::parse(&name).is_err());
    }

    #[test]
    fn amounts_parse_exactly_when_positive(cents in any::<i64>()) {
        prop_assert_eq!(Amount::parse(cents).is_ok(), cents > 0);
    }

    #[test]
    fn account_ids_parse_exactly_from_one(id in any::<i64>()) {
        prop_assert_eq!(AccountId::parse(id).is_ok(), id >= 1);
    }

    #[test]
    fn only_the_three_currency_codes_parse(code in "[A-Za-z]{0,4}") {
        let supported = ["USD", "EUR", "CAD"].contains(&code.as_str());
        prop_assert_eq!(Currency::parse(&code).is_ok(), supported);
    }

    #[test]
    fn pages_never_overlap_and_never_go_negative(page_id in 1i64..10_000, page_size in 1i64..=100) {
        let page = Page::parse(Some(page_id), Some(page_size)).unwrap();
        let next = Page::parse(Some(page_id + 1), Some(page_size)).unwrap();
        prop_assert!(page.offset() >= 0);
        prop_assert_eq!(next.offset() - page.offset(), page.limit());
    }

    #[test]
    fn passwords_are_judged_by_character_count(password in "\\PC{0,120}") {
        let count = password.chars().count();
        prop_assert_eq!(Password::parse(&password).is_ok(), (6..=100).contains(&count));
    }

    #[test]
    fn full_names_of_letters_and_inner_spaces_parse(first in "\\p{L}{2,40}", last in "\\p{L}{1,40}") {
        let name = format!("{first} {last}");
        prop_assert!(FullName::parse(&name).is_ok());
    }

    #[test]
    fn simple_addresses_parse(local in "[a-z0-9._%+-]{1,30}", domain in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
        prop_assume!(!local.starts_with('.') && !local.ends_with('.') && !local.contains(".."));
        let address = format!("{local}@{domain}.{tld}");
        prop_assert!(Email::parse(&address).is_ok(), "{}", address);
    }

    #[test]
    fn idempotency_keys_are_visible_ascii(key in "[!-~]{1,64}") {
        prop_assert!(IdempotencyKey::parse(&key).is_ok());
    }
}

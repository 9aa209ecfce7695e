//! Danish personal names and addresses containing æøå ÆØÅ: generators and a plausibility check.
//!
//! domain.md only asks for names and addresses with æøå, so the checks are ours: a name is
//! letters separated by single spaces, hyphens, apostrophes or a full stop after an initial; an
//! address is non-blank text without control characters or surrounding whitespace. Values are
//! written precomposed (NFC): `å` as U+00E5, never `a` + combining ring.

use proptest::prelude::*;
use proptest::sample::select;
use thiserror::Error;

use super::EdgeCase;

const FIRST_NAMES: [&str; 16] = [
    "Søren", "Åse", "Ærling", "Bjørn", "Jørgen", "Mette", "Anders", "Kjærsti", "Børge", "Helle",
    "Ølle", "Mads", "Gurli", "Frede", "Ove", "Ingrid",
];
const SURNAMES: [&str; 14] = [
    "Østergård",
    "Ærø",
    "Kjær",
    "Møller",
    "Sørensen",
    "Hansen",
    "Nielsen",
    "Bækgaard",
    "Dalsgård",
    "Lærkesen",
    "Skovbølling",
    "Åby",
    "Jensen",
    "Brøndum",
];
const STREETS: [&str; 10] = [
    "Ærøgade",
    "Østerbrogade",
    "Åboulevard",
    "Søndergade",
    "Nørrebrogade",
    "Vesterbrogade",
    "Skæring Strandvej",
    "Bøgevej",
    "Kærvej",
    "Løvstræde",
];
/// (postcode, town) pairs.
const TOWNS: [(u16, &str); 8] = [
    (1000, "København K"),
    (2100, "København Ø"),
    (8000, "Aarhus C"),
    (9000, "Aalborg"),
    (5000, "Odense C"),
    (2800, "Kongens Lyngby"),
    (6270, "Tønder"),
    (5970, "Ærøskøbing"),
];
const FLOORS: [&str; 5] = ["", ", st. tv.", ", 1. th.", ", 2. mf.", ", 3. 12"];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("text is blank")]
    Blank,
    #[error("text has whitespace at its start or end")]
    SurroundingWhitespace,
    #[error("text has a control character U+{0:04X}")]
    ControlCharacter(u32),
    #[error("a name may not contain `{0}`")]
    NotInName(char),
    #[error("a name may not have two separators in a row")]
    DoubledSeparator,
}

fn check_plain_text(value: &str) -> Result<(), TextError> {
    if value.trim().is_empty() {
        return Err(TextError::Blank);
    }
    if value.trim() != value {
        return Err(TextError::SurroundingWhitespace);
    }
    match value.chars().find(|c| c.is_control()) {
        Some(control) => Err(TextError::ControlCharacter(u32::from(control))),
        None => Ok(()),
    }
}

pub fn validate_address(value: &str) -> Result<(), TextError> {
    check_plain_text(value)
}

pub fn validate_name(value: &str) -> Result<(), TextError> {
    check_plain_text(value)?;
    let is_separator = |c: char| matches!(c, ' ' | '-' | '\'' | '.');
    if let Some(stray) = value
        .chars()
        .find(|&c| !c.is_alphabetic() && !is_separator(c))
    {
        return Err(TextError::NotInName(stray));
    }
    let chars: Vec<char> = value.chars().collect();
    let doubled = chars
        .windows(2)
        .any(|pair| is_separator(pair[0]) && is_separator(pair[1]) && pair != ['.', ' ']);
    if doubled {
        Err(TextError::DoubledSeparator)
    } else {
        Ok(())
    }
}

/// A full name: one or two first names and one or two surnames, sometimes hyphenated.
pub fn name_strategy() -> impl Strategy<Value = String> {
    let first = select(FIRST_NAMES.as_slice());
    let surname = select(SURNAMES.as_slice());
    let joiner = select([" ", "-"].as_slice());
    (
        first.clone(),
        proptest::option::of(first),
        proptest::option::of((surname.clone(), joiner)),
        surname,
    )
        .prop_map(|(first, middle, double, last)| {
            let middle = middle.map(|name| format!(" {name}")).unwrap_or_default();
            let double = double
                .map(|(name, joiner)| format!("{name}{joiner}"))
                .unwrap_or_default();
            format!("{first}{middle} {double}{last}")
        })
}

/// A street address: street, house number with an optional letter, optional floor and door,
/// postcode and town.
pub fn address_strategy() -> impl Strategy<Value = String> {
    let letter = proptest::option::of(select(['A', 'B', 'Æ', 'Ø', 'Å'].as_slice()));
    (
        select(STREETS.as_slice()),
        1..300u16,
        letter,
        select(FLOORS.as_slice()),
        select(TOWNS.as_slice()),
    )
        .prop_map(|(street, number, letter, floor, (postcode, town))| {
            let letter = letter.map(String::from).unwrap_or_default();
            format!("{street} {number}{letter}{floor}, {postcode} {town}")
        })
}

pub fn name_edges() -> Vec<EdgeCase> {
    EdgeCase::table("danish-name")
}

pub fn address_edges() -> Vec<EdgeCase> {
    EdgeCase::table("danish-address")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(validate_name("Søren 2"), Err(TextError::NotInName('2')));
        assert_eq!(
            validate_name("Søren\tKjær"),
            Err(TextError::ControlCharacter(9))
        );
        assert_eq!(validate_address(""), Err(TextError::Blank));
    }

    #[test]
    fn every_generated_word_list_carries_danish_letters() {
        let danish_share = |words: &[&str]| {
            let danish = words
                .iter()
                .filter(|word| word.chars().any(|c| "æøåÆØÅ".contains(c)))
                .count();
            danish * 2 >= words.len()
        };
        assert!(danish_share(&FIRST_NAMES) && danish_share(&SURNAMES) && danish_share(&STREETS));
    }

    proptest! {
        #[test]
        fn generated_names_validate(name in name_strategy()) {
            prop_assert!(validate_name(&name).is_ok(), "{}", name);
        }

        #[test]
        fn generated_addresses_validate_and_end_in_postcode_and_town(address in address_strategy()) {
            prop_assert!(validate_address(&address).is_ok());
            let ends_in_town = TOWNS.iter().any(|(code, town)| address.ends_with(&format!(", {code} {town}")));
            prop_assert!(ends_in_town, "{}", address);
        }
    }
}

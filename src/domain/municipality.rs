//! Municipality codes (kommunekode / myndighedskode): the 98 Danish municipalities since 2007,
//! written as 3 digits as domain.md states (the zero-padded 4-digit register form is not accepted).

use proptest::prelude::*;
use proptest::sample::select;
use thiserror::Error;

use super::EdgeCase;

/// Every municipality as (code, name), ascending by code.
pub const MUNICIPALITIES: [(u16, &str); 98] = [
    (101, "København"),
    (147, "Frederiksberg"),
    (151, "Ballerup"),
    (153, "Brøndby"),
    (155, "Dragør"),
    (157, "Gentofte"),
    (159, "Gladsaxe"),
    (161, "Glostrup"),
    (163, "Herlev"),
    (165, "Albertslund"),
    (167, "Hvidovre"),
    (169, "Høje-Taastrup"),
    (173, "Lyngby-Taarbæk"),
    (175, "Rødovre"),
    (183, "Ishøj"),
    (185, "Tårnby"),
    (187, "Vallensbæk"),
    (190, "Furesø"),
    (201, "Allerød"),
    (210, "Fredensborg"),
    (217, "Helsingør"),
    (219, "Hillerød"),
    (223, "Hørsholm"),
    (230, "Rudersdal"),
    (240, "Egedal"),
    (250, "Frederikssund"),
    (253, "Greve"),
    (259, "Køge"),
    (260, "Halsnæs"),
    (265, "Roskilde"),
    (269, "Solrød"),
    (270, "Gribskov"),
    (306, "Odsherred"),
    (316, "Holbæk"),
    (320, "Faxe"),
    (326, "Kalundborg"),
    (329, "Ringsted"),
    (330, "Slagelse"),
    (336, "Stevns"),
    (340, "Sorø"),
    (350, "Lejre"),
    (360, "Lolland"),
    (370, "Næstved"),
    (376, "Guldborgsund"),
    (390, "Vordingborg"),
    (400, "Bornholm"),
    (410, "Middelfart"),
    (420, "Assens"),
    (430, "Faaborg-Midtfyn"),
    (440, "Kerteminde"),
    (450, "Nyborg"),
    (461, "Odense"),
    (479, "Svendborg"),
    (480, "Nordfyns"),
    (482, "Langeland"),
    (492, "Ærø"),
    (510, "Haderslev"),
    (530, "Billund"),
    (540, "Sønderborg"),
    (550, "Tønder"),
    (561, "Esbjerg"),
    (563, "Fanø"),
    (573, "Varde"),
    (575, "Vejen"),
    (580, "Aabenraa"),
    (607, "Fredericia"),
    (615, "Horsens"),
    (621, "Kolding"),
    (630, "Vejle"),
    (657, "Herning"),
    (661, "Holstebro"),
    (665, "Lemvig"),
    (671, "Struer"),
    (706, "Syddjurs"),
    (707, "Norddjurs"),
    (710, "Favrskov"),
    (727, "Odder"),
    (730, "Randers"),
    (740, "Silkeborg"),
    (741, "Samsø"),
    (746, "Skanderborg"),
    (751, "Aarhus"),
    (756, "Ikast-Brande"),
    (760, "Ringkøbing-Skjern"),
    (766, "Hedensted"),
    (773, "Morsø"),
    (779, "Skive"),
    (787, "Thisted"),
    (791, "Viborg"),
    (810, "Brønderslev"),
    (813, "Frederikshavn"),
    (820, "Vesthimmerlands"),
    (825, "Læsø"),
    (840, "Rebild"),
    (846, "Mariagerfjord"),
    (849, "Jammerbugt"),
    (851, "Aalborg"),
    (860, "Hjørring"),
];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MunicipalityError {
    #[error("municipality code must be 3 digits, found `{0}`")]
    NotThreeDigits(String),
    #[error("{0:03} is not the code of a Danish municipality")]
    Unknown(u16),
}

/// The municipality's name, if `code` is one of the 98.
pub fn name_of(code: u16) -> Option<&'static str> {
    MUNICIPALITIES
        .binary_search_by_key(&code, |&(known, _)| known)
        .ok()
        .map(|at| MUNICIPALITIES[at].1)
}

/// Checks a 3-digit wire value and returns the code.
pub fn validate(wire: &str) -> Result<u16, MunicipalityError> {
    if wire.len() != 3 || !wire.bytes().all(|b| b.is_ascii_digit()) {
        return Err(MunicipalityError::NotThreeDigits(wire.to_owned()));
    }
    let code = wire
        .parse()
        .map_err(|_| MunicipalityError::NotThreeDigits(wire.to_owned()))?;
    name_of(code)
        .map(|_| code)
        .ok_or(MunicipalityError::Unknown(code))
}

pub fn is_municipality_code(wire: &str) -> bool {
    validate(wire).is_ok()
}

/// Any of the 98 municipalities as (code, name).
pub fn strategy() -> impl Strategy<Value = (u16, &'static str)> {
    select(MUNICIPALITIES.as_slice())
}

/// Any of the 98 codes as a 3-digit wire value.
pub fn valid_wire_strategy() -> impl Strategy<Value = String> {
    strategy().prop_map(|(code, _)| code.to_string())
}

/// 3-digit strings that are not municipality codes.
pub fn unknown_code_strategy() -> impl Strategy<Value = String> {
    (0..1000u16).prop_filter_map("a municipality", |code| {
        name_of(code).is_none().then(|| format!("{code:03}"))
    })
}

pub fn edge_catalogue() -> Vec<EdgeCase> {
    EdgeCase::table("municipality")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_98_distinct_ascending_codes() {
        assert_eq!(MUNICIPALITIES.len(), 98);
        assert!(MUNICIPALITIES.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(
            MUNICIPALITIES
                .iter()
                .all(|&(code, _)| (101..=860).contains(&code))
        );
    }

    #[test]
    fn domain_examples_are_named() {
        assert_eq!(name_of(101), Some("København"));
        assert_eq!(name_of(751), Some("Aarhus"));
        assert_eq!(name_of(851), Some("Aalborg"));
        assert_eq!(validate("102"), Err(MunicipalityError::Unknown(102)));
        assert_eq!(
            validate("0101"),
            Err(MunicipalityError::NotThreeDigits("0101".into()))
        );
    }

    #[test]
    fn exactly_98_of_all_three_digit_strings_are_codes() {
        assert_eq!(
            (0..1000)
                .filter(|code| is_municipality_code(&format!("{code:03}")))
                .count(),
            98
        );
    }

    proptest! {
        #[test]
        fn generated_codes_are_valid(wire in valid_wire_strategy()) {
            prop_assert!(is_municipality_code(&wire));
        }

        #[test]
        fn unknown_codes_are_rejected(wire in unknown_code_strategy()) {
            prop_assert!(matches!(validate(&wire), Err(MunicipalityError::Unknown(_))));
        }
    }
}

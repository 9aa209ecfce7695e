//! Running the schema trials: each drawn value is a document seed, a size and a mutation
//! index; the request generated from them (valid, or its labelled mutation) goes to the
//! endpoint. On failure proptest shrinks against the live endpoint towards seed 0, size 0 (the
//! minimal document) and the first mutation that still fails, and the failure names the
//! mutation's label and shows the request.

use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, TestRng};

use super::generated::{failed_property, first_problem, passed_property, replay_command};
use super::{Exchanged, Runner};
use crate::cases::{Case, FieldOverrides, SchemaTrial};
use crate::checks::Judgement;
use crate::contract::{Contract, Operation};
use crate::xsd::generate::{GenerateOptions, TextOverride, generate};
use crate::xsd::mutate::mutation_at;
use crate::xsd::{ElementDeclRef, SchemaSet};

/// The largest document size drawn (see [`GenerateOptions::size`]).
const MAX_SIZE: u32 = 4;

/// Mutation indices drawn; [`mutation_at`] wraps them around the candidates.
const MUTATION_INDICES: usize = 4096;

/// One drawn request, as recorded in regression files: `seed:size:mutation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Draw {
    seed: u64,
    size: u32,
    mutation: usize,
}

impl Draw {
    fn strategy() -> impl Strategy<Value = Draw> {
        (any::<u64>(), 0..=MAX_SIZE, 0..MUTATION_INDICES).prop_map(|(seed, size, mutation)| Draw {
            seed,
            size,
            mutation,
        })
    }

    fn value(&self) -> String {
        format!("{}:{}:{}", self.seed, self.size, self.mutation)
    }

    fn parse(value: &str) -> Option<Draw> {
        let mut parts = value.split(':');
        let draw = Draw {
            seed: parts.next()?.parse().ok()?,
            size: parts.next()?.parse().ok()?,
            mutation: parts.next()?.parse().ok()?,
        };
        parts.next().is_none().then_some(draw)
    }

    fn rng(&self) -> TestRng {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&self.seed.to_le_bytes());
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed)
    }
}

/// A request a draw produced: the payload and, for a mutation, its label.
struct Drawn {
    payload: String,
    label: Option<String>,
}

/// Everything a schema trial needs to turn draws into requests and send them.
struct Trial<'r> {
    runner: &'r Runner,
    contract: &'r Contract,
    operation: &'r Operation,
    schemas: &'r SchemaSet,
    request: ElementDeclRef<'r>,
    overrides: &'r dyn TextOverride,
    kind: SchemaTrial,
}

/// One draw sent and judged.
struct Sent {
    judgement: Judgement,
    drawn: Option<Drawn>,
}

impl Trial<'_> {
    /// The request of `draw`; None for a negative trial when the schema accepts every
    /// mutation of the document (nothing to send).
    fn draw(&self, draw: &Draw) -> Result<Option<Drawn>, String> {
        let options = GenerateOptions {
            size: draw.size,
            ..GenerateOptions::default()
        };
        let document = generate(self.request, &options, self.overrides, &mut draw.rng())
            .map_err(|e| format!("cannot generate {}: {e}", self.operation.request))?;
        Ok(match self.kind {
            SchemaTrial::Valid => Some(Drawn {
                payload: document.to_xml(),
                label: None,
            }),
            SchemaTrial::Negative => {
                mutation_at(self.schemas, &document, draw.mutation).map(|m| Drawn {
                    payload: m.document,
                    label: Some(m.label),
                })
            }
        })
    }

    fn send(&self, draw: &Draw, exchanged: &mut Exchanged) -> Sent {
        let drawn = match self.draw(draw) {
            Ok(Some(drawn)) => drawn,
            Ok(None) => {
                return Sent {
                    judgement: passed_property(),
                    drawn: None,
                };
            }
            Err(e) => {
                return Sent {
                    judgement: Judgement::could_not_test("generation", e),
                    drawn: None,
                };
            }
        };
        let exchange = self.runner.exchange(
            self.contract,
            self.operation,
            Some(self.kind.expectation()),
            &drawn.payload,
            exchanged,
        );
        let (judgement, _) = tokio::runtime::Handle::current().block_on(exchange);
        Sent {
            judgement,
            drawn: Some(drawn),
        }
    }
}

impl Runner {
    /// Runs a schema trial on the current tokio runtime (multi-threaded, like property trials).
    pub(super) fn judge_schema(
        &self,
        case: &Case,
        kind: SchemaTrial,
        exchanged: &mut Exchanged,
    ) -> Judgement {
        let (contract, operation) = match self.suite.operation_of(case) {
            Ok(found) => found,
            Err(e) => return Judgement::could_not_test("case", e.to_string()),
        };
        let schemas = match self.schemas_of(contract) {
            Ok(schemas) => schemas,
            Err(e) => return Judgement::could_not_test("schema", e),
        };
        let request = operation.request.clone();
        let Some(decl) = schemas.global_element(Some(&request.namespace), &request.local) else {
            return Judgement::could_not_test(
                "schema",
                format!("the contract's schemas declare no element {request}"),
            );
        };
        // Reference fields keep the golden request's values; a contract without a golden
        // request for the operation leaves them to the schema.
        let golden = case
            .source
            .extension()
            .is_some_and(|e| e == "xml")
            .then(|| case.render(&self.variables_now()).ok())
            .flatten();
        let golden_doc = golden.as_deref().and_then(|g| crate::xml::parse(g).ok());
        let overrides = FieldOverrides::new(
            &operation.fields,
            golden_doc.as_ref().map(|d| d.root_element()),
        );
        let trial = Trial {
            runner: self,
            contract,
            operation,
            schemas,
            request: decl,
            overrides: &overrides,
            kind,
        };
        self.run_schema_trial(case, &trial, exchanged)
    }

    fn run_schema_trial(&self, case: &Case, trial: &Trial, exchanged: &mut Exchanged) -> Judgement {
        self.replay_then_draw(
            case,
            &Draw::strategy(),
            |recorded| {
                Draw::parse(recorded)
                    .ok_or_else(|| format!("{}: `{recorded}` is no seed:size:mutation", case.name))
            },
            |draw| trial.send(draw, &mut Exchanged::default()).judgement,
            |draw, how| {
                let sent = trial.send(draw, exchanged);
                self.schema_failure(case, draw, how, sent)
            },
        )
    }

    /// The judgement of the minimal failing draw: its mutation label (for a negative trial),
    /// where it was recorded, how to replay it, and the request sent.
    fn schema_failure(&self, case: &Case, draw: &Draw, how: &str, sent: Sent) -> Judgement {
        let recorded = self.remember(case, &draw.value());
        let replay = replay_command(&case.name, self.generation.seed);
        let (what, payload) = match &sent.drawn {
            Some(Drawn {
                payload,
                label: Some(label),
            }) => (format!("mutation {label}"), payload.as_str()),
            Some(Drawn { payload, .. }) => ("valid request".to_owned(), payload.as_str()),
            None => ("request".to_owned(), ""),
        };
        let message = format!(
            "minimal failing {what} (draw {}: seed {}, size {}; {how}; {recorded}); {}\nreplay: {replay}\n{payload}",
            draw.value(),
            draw.seed,
            draw.size,
            first_problem(&sent.judgement),
        );
        failed_property(message, sent.judgement)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_round_trip_through_their_recorded_value() {
        let draw = Draw {
            seed: 17,
            size: 0,
            mutation: 4095,
        };
        assert_eq!(Draw::parse(&draw.value()), Some(draw));
        assert_eq!(Draw::parse("17:0"), None);
        assert_eq!(Draw::parse("17:0:1:2"), None);
        assert_eq!(Draw::parse("x:0:1"), None);
    }
}

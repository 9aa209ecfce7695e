//! kontrakt — contract conformance harness for Serviceplatformen SOAP services.
//!
//! The modules follow the path of the data: a [`contract`] names schemas ([`xsd`]) and golden
//! requests; [`cases`] turns them into trials; the [`client`] sends them; [`checks`] judge the
//! answers; [`report`] writes what happened.

pub mod cases;
pub mod checks;
pub mod cli;
pub mod client;
pub mod config;
pub mod contract;
pub mod domain;
pub mod hostile;
pub mod reference;
pub mod report;
pub mod run;
pub mod soap;
pub mod tls;
pub mod xml;
pub mod xsd;

//! kontrakt — contract conformance harness for Serviceplatformen SOAP services.
//!
//! The modules follow the path of the data: a [`contract`] names schemas ([`xsd`]) and golden
//! requests; [`cases`] turns them into trials; the [`client`] sends them; [`checks`] judge the
//! answers; [`report`] writes what happened.

pub mod client;
pub mod domain;
pub mod reference;
pub mod soap;
pub mod xml;
pub mod xsd;

//! Transport: HTTP(S) with rustls, mTLS identities, timeouts, response size cap, redirect policy.

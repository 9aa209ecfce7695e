//! Danish domain knowledge: CPR, CVR, KLE, municipality codes, calendar and the injectable clock.

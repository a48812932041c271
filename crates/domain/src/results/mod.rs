//! Results computed from anonymous answers, behind the anonymity audit (in progress).

//! Questionnaire tests.

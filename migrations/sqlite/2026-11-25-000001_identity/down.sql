DROP TABLE password_reset_tokens;
DROP TABLE denied_jtis;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE accounts;

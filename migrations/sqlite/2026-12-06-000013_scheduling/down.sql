DROP TABLE appointments;
DROP TABLE availability_patterns;
DROP TABLE availability_dates;
DROP TABLE account_settings;

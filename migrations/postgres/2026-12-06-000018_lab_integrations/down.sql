DROP TABLE lab_events;
DROP TABLE lab_integration_accounts;
DROP TABLE lab_integrations;

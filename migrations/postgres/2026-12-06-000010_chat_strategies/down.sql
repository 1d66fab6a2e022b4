DROP TABLE chat_strategies;

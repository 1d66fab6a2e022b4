DROP TABLE chat_strategy_knowledge_sources;
DROP TABLE knowledge_sources;

DROP TABLE calendar_feed_tokens;

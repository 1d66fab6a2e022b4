DROP TABLE lab_orders;

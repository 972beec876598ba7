DROP TABLE IF EXISTS lease_holders;

"""The feature specification: what the feature store computes and what the models read. No service owns it.

The feature store (services/features), the risk service (services/risk), model training (tools/models) and
the tests all read the same definitions and run the same pure functions, so a value is the same wherever it
is computed: a change here is a change to every one of them, made in one place.

- `definitions`: the feature store's features (entity, aggregation, window, value type), by name and view,
  and `reading_number` (a FeatureReading as the models take it).
- `compute`: the one computation of those features: an entity's events in, its values out, point in time.
- `model_inputs`: the fraud and credit models' inputs, in signature order, and the pure functions that make
  them (`fraud_inputs`, `amount_zscore`, `applicant_features`, `to_vector`).

- `online`: the online store on Redis: key layout, codec, write scripts and `OnlineReader`, the one reader
  the risk service and the feature store serve online features with (one round trip per payment).

Pure but for `online`'s reader (Redis, through a client the service passes in); no service imports; it depends
only on the generated contracts (fintech.features.v1 enums) and, for `online`, redis-py.
"""

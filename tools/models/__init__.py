"""`make models`: the training pipeline of the models in models/ (synthetic data, training, ONNX, model cards).

It lives outside models/ on purpose: Triton treats every directory of the model repository as a model.
The inputs it trains on are the serving ones (`libs/featurespec/model_inputs.py`); the fraud model's store features are
computed point in time with the feature store's own computation (`libs/featurespec/compute.py`).
"""

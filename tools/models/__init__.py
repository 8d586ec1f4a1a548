"""`make models`: the training pipeline of the models in models/ (synthetic data, training, ONNX, model cards).

It lives outside models/ on purpose: Triton treats every directory of the model repository as a model.
The feature definitions it trains on are the serving ones, `services/ml/features.py`.
"""

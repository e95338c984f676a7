"""Assisted annotation: a passage classifier learned from the team's labels, and seed rules.

Pure code, no I/O: services hand it passages and labels and take suggestions back.
scikit-learn is imported only by ``model`` and only when a model is trained, so nothing
here slows the application's start-up.
"""

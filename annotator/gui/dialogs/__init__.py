"""Dialogs: label set, export, annotator, keyboard shortcuts."""

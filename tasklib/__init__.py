"""Invoke task modules kept out of tasks.py so each stays small."""

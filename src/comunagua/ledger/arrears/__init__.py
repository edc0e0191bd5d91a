"""Arrears and service (mora y corte): the aging of debts, notices, disconnection and
reconnection, payment plans, late-payment fines and the committee's rules."""

"""Deterministic demo data: a realistic city in China (Chengdu) with agents, debtors and histories."""

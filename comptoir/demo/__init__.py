"""Demo data for `comptoir seed_demo`: realistic French and English CRM records, fast.

`pools` draws names, streets and company names from Faker once; `plan` decides who
works where and who buys what before anything is written; `rows` turns the plan into
property dicts with plain `random` (microseconds per row); `seeder` writes them
through `bulk_create_records` in batches.
"""

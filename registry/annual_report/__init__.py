"""The statistics tables of the annual government-information disclosure report
(政府信息公开工作年度报告, seed 五(四)), computed from the registry for one department and
one year: the framework (:mod:`.tables`: what a table is and the registration hook), the
tables every record type shares (:mod:`.shared`), the report (:mod:`.report`) and its API
view (:mod:`.views`).

Each registry adds its own tables by calling :func:`registry.annual_report.tables.register`
from its ``AppConfig.ready()``; the core imports no registry.
"""

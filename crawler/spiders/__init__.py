"""Scrapy spiders of the blogarchive project."""

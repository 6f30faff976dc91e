"""The crawling half of blogarchive: data model, archive store, parsers and the Scrapy project."""

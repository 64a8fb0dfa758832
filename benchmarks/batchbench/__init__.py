"""The parts of benchmarks/batch_bench.py: page generator, loopback server, floor, Scrapy baseline, measurement."""

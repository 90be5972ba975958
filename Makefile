# frontdoor: the two commands of the README, and a few helpers.
#   make run    build, create the demo borough if there is none, serve on :8080
#   make check  build with ASan+UBSan and run every test on SQLite and PostgreSQL
DB ?= frontdoor.db
LISTEN ?= 127.0.0.1:8080

.PHONY: run check build build-asan bench lint clean

build:
	@scripts/deps.sh run
	@scripts/assets.sh
	@cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSANITIZE=OFF >/dev/null
	@cmake --build build

run: build
	@test -f $(DB) || ./build/frontdoor demo --db $(DB)
	./build/frontdoor serve --db $(DB) --listen $(LISTEN)

build-asan:
	@scripts/deps.sh check
	@scripts/assets.sh dev
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON >/dev/null
	@cmake --build build-asan

check: build build-asan lint
	@tests/run.sh build-asan

lint:
	@tools/lint.sh

bench: build
	@scripts/deps.sh bench
	@bench/run.sh
	@bench/offers.sh
	@bench/reports.sh

clean:
	rm -rf build build-asan

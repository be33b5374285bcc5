# SPDX-License-Identifier: Apache-2.0
# tinyaot: the two commands of the README, and friends. Builds go to build/ (parallel by 2).
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps build test test-full test-asan demo clean format

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE full

test-full: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan:
	@$(MAKE) --no-print-directory test BUILD=build-asan CMAKE_FLAGS="-DTA_SANITIZE=ON"

demo: build
	@sh examples/demo.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) build-asan

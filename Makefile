# Medical LLM Assistant: every job is a target; specs choose what it does.
#   make train                     fine-tune the default spec (sets everything up on first use)
#   make test                      run the test suite
#   make sweep SPEC=specs/medical-smollm2-sweep.yaml   the spec's hyperopt: block on Ray Tune
# Variables: SPEC=specs/<name>.yaml  RUN=runs/<spec>/<timestamp> (default: newest run)
#            RESUME=<run dir>  OFFLINE=0 (allow the model/dataset hub, for hub-hosted specs)
#            NPROC=<ranks per machine> NNODES=<machines> NODE_RANK MASTER_ADDR MASTER_PORT (make train, scale-out)
#            ONLY=training,generation,evaluation,knowledge,memory,scaling,safety,serving,retrieval (make bench: the parts to run)
#            QUANT=q8_0 (make export)  EXPORT=exports/<spec>/<timestamp> (make serve)
#            ENGINE=llama.cpp|transformers (make serve: llama.cpp; make app: llama.cpp when RUN has an export)

SPEC    ?= specs/medical-smollm2-cpu.yaml
RUN     ?=
RESUME  ?=
OFFLINE ?= 1
PYTEST_ARGS ?=
QUALITY_SPECS ?= specs/medical-smollm2-cpu.yaml specs/medquad-smollm2-cpu.yaml specs/grounded-smollm2-cpu.yaml
HOST    ?= 127.0.0.1
PORT    ?= 7860
API_PORT ?= 8000
MLFLOW_PORT ?= 5000
QUANT   ?= q8_0
EXPORT  ?=
ENGINE  ?=
# scale-out (make train): NPROC processes on each of NNODES machines, rendezvous at MASTER_ADDR:MASTER_PORT
NPROC   ?= 1
NNODES  ?= 1
NODE_RANK   ?= 0
MASTER_ADDR ?= 127.0.0.1
MASTER_PORT ?= 29500
ONLY    ?=

VENV    := .venv
PY      := $(VENV)/bin/python
STAMPS  := .stamps
SMOLLM2 := models/smollm2-135m-instruct
TINY    := models/tiny-llama

export HF_HUB_OFFLINE := $(OFFLINE)
export HF_DATASETS_OFFLINE := $(OFFLINE)
export TRANSFORMERS_OFFLINE := $(OFFLINE)
export TOKENIZERS_PARALLELISM := false
export PYTHONPATH := $(CURDIR)

LUDWIG  = $(PY) -m plugins.ludwig.cli
# the run directory of RUN (default: the newest run), or stop with the reason: one lookup for every target
WITH_RUN = run=$$($(PY) -m plugins.runs $(RUN)) || exit 2; set -x;
# the defaults are today's single process; otherwise torchrun starts the ranks (plugins/ludwig/distributed.py)
ifeq ($(NPROC)/$(NNODES),1/1)
TRAIN   = $(PY) -m plugins.train
else ifeq ($(NNODES),1)
TRAIN   = $(VENV)/bin/torchrun --standalone --nproc_per_node $(NPROC) -m plugins.train
else
TRAIN   = $(VENV)/bin/torchrun --nproc_per_node $(NPROC) --nnodes $(NNODES) --node_rank $(NODE_RANK) \
          --master_addr $(MASTER_ADDR) --master_port $(MASTER_PORT) -m plugins.train
endif

.DEFAULT_GOAL := help
.PHONY: help venv model tiny-model browser llama-cpp check sweep index train predict evaluate compare knowledge report export serve mlflow bench bench-scale-out quality app screenshots test clean-runs

help: ## list the targets
	@echo "Medical LLM Assistant — targets (SPEC=$(SPEC)):"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-12s %s\n", $$1, $$2}'

venv: $(STAMPS)/venv ## create .venv with a Python >= 3.12 and the pinned requirements

# llama-cpp-python is a source release: built here (~4 min on 2 cores) without its multimodal library
$(STAMPS)/venv: export CMAKE_ARGS := -DLLAVA_BUILD=OFF
$(STAMPS)/venv: requirements.txt requirements-nodeps.txt scripts/find-python
	@mkdir -p $(STAMPS)
	@if [ ! -x $(PY) ]; then \
	  python=$${PYTHON:-$$(scripts/find-python)} || exit 1; \
	  echo "creating $(VENV) with $$python"; \
	  "$$python" -m venv $(VENV) || exit 1; \
	fi
	@echo "installing pinned requirements into $(VENV) (first time: several minutes, ~7 GB) ..."
	$(PY) -m pip install --progress-bar on --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements.txt
	$(PY) -m pip install --progress-bar on --no-deps -r requirements-nodeps.txt
	@touch $@

model: $(SMOLLM2)/.complete.json ## build the default base model (SmolLM2-135M-Instruct) from its GGUF, offline

$(SMOLLM2)/.complete.json: $(STAMPS)/venv plugins/models.py
	$(PY) -m plugins.models smollm2 --out $(SMOLLM2)

tiny-model: $(TINY)/.complete.json ## build the tiny random Llama the tests train on

$(TINY)/.complete.json: $(STAMPS)/venv plugins/models.py
	$(PY) -m plugins.models tiny --out $(TINY)

llama-cpp: $(STAMPS)/llama-cpp ## llama.cpp's converter, from the llama-cpp-python source release installed (make export)

LLAMA_CPP_FILES = convert_hf_to_gguf.py conversion gguf-py LICENSE
$(STAMPS)/llama-cpp: $(STAMPS)/venv
	@version=$$($(PY) -c "from importlib.metadata import version; print(version('llama-cpp-python'))") || exit 1; \
	  dir=.cache/llama.cpp; rm -rf $$dir/$$version $$dir/sdist; mkdir -p $$dir/$$version $$dir/sdist; set -e; \
	  $(PY) -m pip download --quiet --no-deps --no-binary :all: llama-cpp-python==$$version -d $$dir/sdist; \
	  tar -xzf $$dir/sdist/llama_cpp_python-$$version.tar.gz -C $$dir/$$version --strip-components=3 \
	    $(addprefix llama_cpp_python-$$version/vendor/llama.cpp/,$(LLAMA_CPP_FILES)); \
	  rm -rf $$dir/sdist; echo "llama.cpp's converter: $$dir/$$version/convert_hf_to_gguf.py"
	@touch $@

sweep: $(STAMPS)/venv model tiny-model ## SPEC's hyperopt: block on Ray Tune -> runs/<spec>/<timestamp>-sweep/ (trials, results.md, best)
	$(PY) -m plugins.sweep $(SPEC)

index: $(STAMPS)/venv ## build (or reuse) the BM25 index of SPEC's retrieval corpus -> .cache/retrieval/<key>/ (seconds)
	$(PY) -m plugins.retrieval $(SPEC)

check: $(STAMPS)/venv ## validate SPEC and its data (offline, seconds, writes nothing under runs/)
	$(PY) -m plugins.check $(SPEC)

train: $(STAMPS)/venv model tiny-model ## fine-tune SPEC into runs/<spec>/<timestamp>/ (RESUME=<run> continues one; NPROC=2: data-parallel)
ifeq ($(RESUME),)
	$(TRAIN) $(SPEC)
else
	$(TRAIN) --resume $(RESUME)
endif

predict: $(STAMPS)/venv ## Ludwig predict on the test split of RUN (default: newest) into RUN/predict/
	@$(WITH_RUN) \
	$(LUDWIG) predict --model_path $$run/ludwig/model --dataset $$run/data/dataset.csv \
	  --split test --output_directory $$run/predict --skip_save_unprocessed_output

evaluate: $(STAMPS)/venv ## Ludwig evaluate on the test split of RUN into RUN/evaluate/
	@$(WITH_RUN) \
	$(LUDWIG) evaluate --model_path $$run/ludwig/model --dataset $$run/data/dataset.csv \
	  --split test --output_directory $$run/evaluate --skip_save_unprocessed_output

compare: $(STAMPS)/venv ## base vs fine-tuned on RUN: ROUGE/BLEU of test answers + the knowledge benchmarks -> RUN/eval/
	@$(WITH_RUN) $(PY) -m plugins.eval.compare $$run

knowledge: $(STAMPS)/venv ## the spec's knowledge benchmarks (multiple choice, base vs fine-tuned) on RUN -> RUN/eval/knowledge.*
	@$(WITH_RUN) $(PY) -m plugins.eval.knowledge $$run

report: $(STAMPS)/venv ## report of RUN -> reports/<spec>/<timestamp>/report.{md,html}; rebuilds reports/leaderboard.md
	@$(WITH_RUN) $(PY) -m plugins.eval.report $$run

export: $(STAMPS)/llama-cpp ## RUN as exports/<spec>/<timestamp>/: merged hf/, GGUF f16 + QUANT (llama.cpp), Ollama Modelfile
	@$(WITH_RUN) $(PY) -m plugins.export $$run --quant $(QUANT)

serve: $(STAMPS)/venv ## OpenAI-compatible API for RUN or EXPORT on http://$(HOST):$(API_PORT)/v1 (ENGINE=llama.cpp)
	$(PY) -m plugins.app.api $(if $(EXPORT),--export $(EXPORT),$(if $(RUN),--run $(RUN))) \
	  $(if $(ENGINE),--engine $(ENGINE)) --host $(HOST) --port $(API_PORT)

mlflow: $(STAMPS)/venv ## MLflow's UI on the project's tracking store (mlruns/mlflow.db) at http://$(HOST):$(MLFLOW_PORT)/
	$(PY) -m plugins.tracking --host $(HOST) --port $(MLFLOW_PORT)

bench: $(STAMPS)/venv ## speed benchmark on RUN (ONLY=training,generation,... picks parts; ~20 min) -> reports/bench/<timestamp>/
	@$(WITH_RUN) $(PY) -m benchmarks.suite $$run $(if $(ONLY),--only $(ONLY))

bench-scale-out: $(STAMPS)/venv model ## benchmark: training on 1 vs 2 processes (SPEC cut to 100 rows) and DDP's all-reduce cost
	$(PY) -m benchmarks.scale_out --spec $(SPEC)

quality: $(STAMPS)/venv model ## benchmark: train, compare, report each of QUALITY_SPECS; ROUGE-L +20 %, grounded targets (~1.5 h)
	@for spec in $(QUALITY_SPECS); do $(PY) -m plugins.check $$spec || exit 2; done
	@for spec in $(QUALITY_SPECS); do set -e; \
	  $(PY) -m plugins.train $$spec; run=$$($(PY) -m plugins.runs runs/$$(basename $$spec .yaml)/latest); \
	  $(PY) -m plugins.eval.compare $$run; $(PY) -m plugins.eval.report $$run; done
	$(PY) -m benchmarks.quality $(QUALITY_SPECS)

app: $(STAMPS)/venv ## the app: chat with RUN (default: newest) and Spec Studio, on http://$(HOST):$(PORT)/
	$(PY) app.py $(if $(RUN),--run $(RUN)) $(if $(ENGINE),--engine $(ENGINE)) --host $(HOST) --port $(PORT)

screenshots: $(STAMPS)/venv ## the README's app screenshots of RUN, taken in headless chromium -> docs/app-*.png
	@$(WITH_RUN) $(PY) -m scripts.app_screenshots $$run

test: $(STAMPS)/venv model tiny-model browser llama-cpp ## lint, then the test suite (unit tests + real Ludwig runs on the tiny model)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests $(PYTEST_ARGS)

browser: ## Debian's chromium + chromium-driver for the app's browser test (installed with apt-get when root)
	@if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium and chromium-driver for the app's browser test ..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
	      || { echo "error: apt-get could not install chromium chromium-driver" >&2; exit 2; }; \
	  else \
	    echo "error: the app's browser test needs Debian's chromium; run: sudo apt-get install -y chromium chromium-driver" >&2; \
	    exit 2; \
	  fi; \
	fi

clean-runs: ## delete every run under runs/ (asks first)
	@read -p "delete everything under runs/? [y/N] " a && [ "$$a" = y ] && rm -rf runs/* || echo "kept"

"""How an instance is stored: SpiffWorkflow's JSON without the spec, which is stored once
per deployed version and merged back when the instance is loaded."""

from __future__ import annotations

import json
from typing import Any

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

SPEC_KEYS = ("spec", "subprocess_specs")
SPEC_CACHE_SIZE = 64  # deployed versions whose restored specs are kept (a few per process id)


class InstanceSerializer:
    def __init__(self) -> None:
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self._spec_cache: dict[str, dict[str, Any]] = {}

    def spec_json(self, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> str:
        registry = self._serializer.registry
        return json.dumps(
            {
                "spec": registry.convert(spec),
                "subprocess_specs": {name: registry.convert(s) for name, s in subprocess_specs.items()},
            }
        )

    def dump(self, workflow: BpmnWorkflow) -> str:
        """The workflow's state as JSON, without its spec."""
        registry = self._serializer.registry
        registry._encoder_mode = True
        try:
            state = self._serializer.to_dict(workflow)
            for key in SPEC_KEYS:
                state.pop(key, None)
            state[self._serializer.VERSION_KEY] = self._serializer.VERSION
            return json.dumps(state, cls=self._serializer._encoder_cls)
        finally:
            registry._encoder_mode = False

    def load(self, state_json: str, spec_json: str) -> BpmnWorkflow:
        state: dict[str, Any] = json.loads(state_json, cls=self._serializer.json_decoder_cls)
        if state.get(self._serializer.VERSION_KEY) != self._serializer.VERSION:
            state.update(json.loads(spec_json))  # an older format: its migration may need the spec
            self._serializer.migrate(state)
            return self._serializer.from_dict(state)
        state.pop(self._serializer.VERSION_KEY)
        state.update(self._specs(spec_json))
        return self._serializer.from_dict(state)

    def _specs(self, spec_json: str) -> dict[str, Any]:
        """The version's spec objects, restored once rather than on every load (restoring them
        was most of a load: bench/RESULTS.md). The library's `restore` passes objects that are
        not JSON data through unchanged, and instances share spec objects anyway (new ones are
        built on the repository's parsed spec)."""
        specs = self._spec_cache.get(spec_json)
        if specs is None:
            raw = json.loads(spec_json)
            registry = self._serializer.registry
            specs = {
                "spec": registry.restore(raw["spec"]),
                "subprocess_specs": {name: registry.restore(s) for name, s in raw["subprocess_specs"].items()},
            }
            if len(self._spec_cache) >= SPEC_CACHE_SIZE:
                self._spec_cache.clear()
            self._spec_cache[spec_json] = specs
        return specs

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


class InstanceSerializer:
    def __init__(self) -> None:
        self._serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

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
        state.update(json.loads(spec_json))
        self._serializer.migrate(state)
        return self._serializer.from_dict(state)

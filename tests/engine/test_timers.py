"""Timers follow the engine's clock: a MovableClock moved past a deadline fires it once."""

from __future__ import annotations

from datetime import timedelta

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.clock import MovableClock
from engine.scripting import DiagflowScriptEngine
from engine.timers import engine_time, timer_deadlines
from tests.conftest import START

TIMER_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://diagflow.test">
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_a_day"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P1D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_a_day"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_a_day" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_spiffworkflow_timers_run_on_the_engine_clock() -> None:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TIMER_MODEL, "waits.bpmn")
    clock = MovableClock(START)
    workflow = BpmnWorkflow(parser.get_spec("waits"), script_engine=DiagflowScriptEngine({}, None))
    with engine_time(clock):
        workflow.do_engine_steps()
        (_, due), = timer_deadlines(workflow).values()
        assert due == START + timedelta(days=1)
        clock.advance(timedelta(hours=23))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert not workflow.is_completed()
        clock.advance(timedelta(hours=2))
        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert workflow.is_completed()

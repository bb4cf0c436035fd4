"""One instance, tasks for several districts: each district sees only its own task."""

from __future__ import annotations

from engine.demo import DEMO_PASSWORD
from tests.modelkit import linear_model, note_form, script_task, user_task

PER_DISTRICT = user_task("pay", "区县拨付", "note", taskDistrict="district")
PER_DISTRICT.tail = ('<bpmn:multiInstanceLoopCharacteristics><bpmn:loopDataInputRef>districts</bpmn:loopDataInputRef>'
                     '<bpmn:inputDataItem id="district" name="district"/></bpmn:multiInstanceLoopCharacteristics>')
MODEL = linear_model("per_district", "district_finance", [
    script_task("choose", "districts = ['历下区', '历城区']"), PER_DISTRICT], starter_roles="city_bureau")


def test_each_district_sees_and_does_only_its_own_task(sqlite_engine) -> None:
    engine = sqlite_engine
    engine.repository.deploy("per_district", {"per_district.bpmn": MODEL, "forms/note.schema.json": note_form()}, "t")
    actor = {n: engine.identity.authenticate(n, DEMO_PASSWORD) for n in ("city", "lixia_finance", "licheng_finance")}
    instance_id = engine.instances.start("per_district", actor["city"])

    lixia, licheng = (engine.tasks.inbox(actor[n])[0] for n in ("lixia_finance", "licheng_finance"))
    assert [t["district"] for t in lixia] == ["历下区"] and [t["district"] for t in licheng] == ["历城区"]
    assert engine.instances.get(actor["lixia_finance"], instance_id)["id"] == instance_id

    engine.tasks.complete(actor["lixia_finance"], lixia[0]["id"], {"note": "已拨付"})
    assert engine.tasks.inbox(actor["lixia_finance"])[1] == 0
    assert engine.instances.get(actor["city"], instance_id)["status"] == "running"
    engine.tasks.complete(actor["licheng_finance"], licheng[0]["id"], {"note": "已拨付"})
    assert engine.instances.get(actor["city"], instance_id)["status"] == "completed"


def test_a_task_district_outside_jinan_is_an_incident(sqlite_engine) -> None:
    model = linear_model("bad_district", "district_finance", [
        script_task("choose", "target = '海淀区'"), user_task("pay", "拨付", "note", taskDistrict="target")],
        starter_roles="city_bureau")
    sqlite_engine.repository.deploy("bad_district", {"bad_district.bpmn": model,
                                                     "forms/note.schema.json": note_form()}, "t")
    city = sqlite_engine.identity.authenticate("city", DEMO_PASSWORD)
    instance = sqlite_engine.instances.get(city, sqlite_engine.instances.start("bad_district", city))
    assert instance["status"] == "error" and instance["error"]["element_id"] == "pay"
    assert "海淀区" in instance["error"]["message"]

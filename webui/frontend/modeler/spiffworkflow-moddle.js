// Moddle descriptor for the spiffworkflow extension elements diagflow's models use
// (docs/modelling.md). Every element found in processes/ is described: bpmn-moddle drops
// unknown elements of a known namespace, so a missing type here would lose model content.
const textBody = [{ name: "value", isBody: true, type: "String" }];

export const spiffworkflowDescriptor = {
  name: "SpiffWorkflow",
  prefix: "spiffworkflow",
  uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
  xml: { tagAlias: "lowerCase" },
  associations: [],
  types: [
    {
      name: "Properties",
      superClass: ["Element"],
      properties: [{ name: "properties", type: "Property", isMany: true }],
    },
    {
      name: "Property",
      superClass: ["Element"],
      properties: [
        { name: "name", type: "String", isAttr: true },
        { name: "value", type: "String", isAttr: true },
      ],
    },
    {
      name: "ServiceTaskOperator",
      superClass: ["Element"],
      properties: [
        { name: "id", type: "String", isAttr: true },
        { name: "resultVariable", type: "String", isAttr: true },
        { name: "parameterList", type: "Parameters" },
      ],
    },
    {
      name: "Parameters",
      superClass: ["Element"],
      properties: [{ name: "parameters", type: "Parameter", isMany: true }],
    },
    {
      name: "Parameter",
      superClass: ["Element"],
      properties: [
        { name: "id", type: "String", isAttr: true },
        { name: "type", type: "String", isAttr: true },
        { name: "value", type: "String", isAttr: true },
      ],
    },
    { name: "InstructionsForEndUser", superClass: ["Element"], properties: textBody },
    { name: "MessageVariable", superClass: ["Element"], properties: textBody },
    { name: "PreScript", superClass: ["Element"], properties: textBody },
    { name: "PostScript", superClass: ["Element"], properties: textBody },
    { name: "CalledDecisionId", superClass: ["Element"], properties: textBody },
  ],
};

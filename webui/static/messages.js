/*
 * Text shown by the page scripts, in the page's language. Chinese is built into each call
 * (it is the source language); in English the server puts the translations into
 * <body data-messages="{key: text}"> (webui/i18n.py JS_MESSAGES). "{name}" marks a value.
 */
window.diagflowText = function (key, fallback, values) {
  "use strict";
  var messages = JSON.parse(document.body.dataset.messages || "{}");
  var template = messages[key] || fallback;
  return template.replace(/\{(\w+)\}/g, function (match, name) {
    return values && name in values ? String(values[name]) : match;
  });
};

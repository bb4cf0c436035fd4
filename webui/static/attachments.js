// File fields on the task page (_attachment_field.html): upload the chosen file with the
// page's CSRF token, then keep its attachment id in a hidden input named like the field and
// show its name, size and download link. The server checks type, size and scope.
(function () {
  "use strict";

  function sizeText(size) {
    if (size >= 1024 * 1024) { return (size / 1024 / 1024).toFixed(1) + " MB"; }
    if (size >= 1024) { return Math.round(size / 1024) + " KB"; }
    return size + " B";
  }

  function listItem(name, meta) {
    const item = document.createElement("li");
    item.className = "attachment-item";
    const hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = name;
    hidden.value = meta.id;
    const link = document.createElement("a");
    link.className = "attachment-link";
    link.href = meta.url;
    link.textContent = meta.filename;
    const size = document.createElement("span");
    size.className = "attachment-size";
    size.textContent = sizeText(meta.size);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button-link attachment-remove";
    remove.textContent = window.diagflowText("remove", "移除");
    item.append(hidden, link, " ", size, " ", remove);
    return item;
  }

  async function upload(form, field, file) {
    const body = new FormData();
    body.append("file", file);
    body.append("purpose", "task");
    body.append("task_id", form.dataset.taskId || "");
    body.append("field", field.dataset.field);
    const token = form.querySelector('input[name="csrf_token"]');
    const response = await fetch(form.dataset.attachmentUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    });
    const answer = await response.json().catch(function () {
      return { error: window.diagflowText("upload_failed", "上传失败（HTTP {status}），请刷新页面后重试", { status: response.status }) };
    });
    if (response.status !== 201) {
      const messages = Object.values(answer.errors || {});
      throw new Error(messages.length ? messages[0] : answer.error);
    }
    return answer;
  }

  async function onChange(input) {
    const field = input.closest("[data-attachment-field]");
    const form = input.form;
    const list = field.querySelector(".attachment-list");
    const status = field.querySelector(".attachment-status");
    for (const file of Array.from(input.files)) {
      status.textContent = window.diagflowText("uploading", "正在上传 {name} …", { name: file.name });
      try {
        const meta = await upload(form, field, file);
        if (!field.dataset.multiple) { list.replaceChildren(); }
        list.append(listItem(field.dataset.field, meta));
        status.textContent = window.diagflowText("uploaded", "已上传 {name}", { name: meta.filename });
      } catch (error) {
        status.textContent = file.name + "：" + error.message;
      }
    }
    input.value = "";
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches(".attachment-input")) { onChange(event.target); }
  });
  document.addEventListener("click", function (event) {
    if (event.target.matches(".attachment-remove")) { event.target.closest(".attachment-item").remove(); }
  });
})();

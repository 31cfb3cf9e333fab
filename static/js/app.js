// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  if (source && navigator.clipboard) {
    navigator.clipboard.writeText(source.innerText).then(() => {
      button.textContent = "Copied";
    });
  }
});

// Print buttons on letter print views.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Documents: drop files on an upload form. Without JavaScript the file input
// (which accepts several files) does the same job.
document.querySelectorAll("[data-dropzone]").forEach((form) => {
  const input = form.querySelector('input[type="file"]');
  const zone = form.querySelector(".dropzone");
  const list = form.querySelector(".dropzone-files");
  if (!input || !zone) return;
  const show = () => {
    if (!list) return;
    list.replaceChildren(
      ...Array.from(input.files).map((file) => {
        const item = document.createElement("li");
        item.textContent = file.name;
        return item;
      }),
    );
  };
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }),
  );
  ["dragleave", "drop"].forEach((type) =>
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
    }),
  );
  zone.addEventListener("drop", (event) => {
    const dropped = event.dataTransfer ? Array.from(event.dataTransfer.files) : [];
    if (!dropped.length || typeof DataTransfer === "undefined") return;
    // Files dropped in several goes add up, as a reporter would expect.
    const files = new DataTransfer();
    [...Array.from(input.files), ...dropped].forEach((file) => files.items.add(file));
    input.files = files.files;
    show();
  });
});

// Sales tools > Documents (comptoir/documents/views.py): the upload form says at once when
// a file is over the size limit (the server checks again), and share links copy with one
// click.
document.addEventListener("change", (event) => {
  const input = event.target.closest("input[type=file][data-max-bytes]");
  if (!input) return;
  const error = input.closest(".field").querySelector("[data-file-error]");
  const file = input.files && input.files[0];
  const tooBig = file && file.size > Number(input.dataset.maxBytes);
  input.setCustomValidity(tooBig ? input.dataset.tooBig : "");
  input.closest(".field").classList.toggle("invalid", Boolean(tooBig));
  if (error) {
    error.hidden = !tooBig;
    if (tooBig) error.textContent = input.dataset.tooBig;
  }
});

document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-link]");
  if (!button) return;
  const input = button.closest(".copy-row").querySelector("[data-share-url]");
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch (error) {
    document.execCommand("copy");
  }
  button.textContent = button.dataset.copied;
});

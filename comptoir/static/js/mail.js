// Settings > Email (SET-10): picking a provider fills its servers, ports and security
// (comptoir/mail/presets.py, given as JSON on the form); the user can still change them.
(() => {
  function init(form) {
    const presets = JSON.parse(form.dataset.mailPresets || "{}");
    const provider = form.querySelector("[name=provider]");
    if (!provider) return;
    provider.addEventListener("change", () => {
      const preset = presets[provider.value];
      if (!preset) return;
      for (const [name, value] of Object.entries(preset)) {
        const input = form.querySelector(`[name=${name}]`);
        if (input) input.value = String(value);
      }
    });
  }
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-mail-presets]").forEach(init);
  });
})();

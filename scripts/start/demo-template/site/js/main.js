// Shows when the page was loaded.
document.addEventListener('DOMContentLoaded', () => {
  const p = document.createElement('p');
  p.textContent = `Loaded at ${new Date().toLocaleTimeString()}`;
  document.body.append(p);
});

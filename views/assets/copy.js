// Progressive enhancement: a "Copy" button for elements named by data-copy.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    await navigator.clipboard.writeText(source.innerText);
    button.textContent = 'Copied';
  });
}

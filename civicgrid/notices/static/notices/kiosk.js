// The kiosk: show one notice at a time, the next every few seconds; reload every ten minutes
// so that new notices appear and withdrawn ones leave the screen.
(function () {
  const box = document.getElementById("kiosk");
  if (!box) return;
  const slides = Array.from(box.querySelectorAll(".slide"));
  const counter = document.getElementById("counter");
  const seconds = parseInt(box.dataset.rotate, 10) || 12;
  let index = 0;
  function show(next) {
    slides[index].classList.remove("current");
    slides[index].setAttribute("aria-hidden", "true");
    index = next % slides.length;
    slides[index].classList.add("current");
    slides[index].setAttribute("aria-hidden", "false");
    if (counter) counter.textContent = `${index + 1} / ${slides.length}`;
  }
  if (slides.length > 1) setInterval(() => show(index + 1), seconds * 1000);
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") show(index + 1);
    if (event.key === "ArrowLeft") show(index - 1 + slides.length);
  });
  setTimeout(() => window.location.reload(), 10 * 60 * 1000);
})();

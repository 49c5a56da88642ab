/* Photo galleries (web/includes/photos.html): a tap on a thumbnail opens the full photo in the
 * viewer (viewerjs) — pinch or buttons to zoom, swipe or arrows for the next and previous photo,
 * rotate left and right. Without this script the thumbnails are plain links to the photos. */
(function () {
  "use strict";
  function init() {
    if (!window.Viewer) return;
    document.querySelectorAll("[data-photo-viewer]").forEach(function (list) {
      if (list.civicgridViewer) return;
      list.civicgridViewer = new window.Viewer(list, {
        url: "data-original",
        title: [1, function (image) { return image.alt; }],
        toolbar: {
          zoomIn: 1, zoomOut: 1, oneToOne: 1, reset: 1,
          prev: 1, play: 0, next: 1,
          rotateLeft: 1, rotateRight: 1, flipHorizontal: 0, flipVertical: 0,
        },
        transition: false,
        loop: true,
      });
      // The viewer opens on the image; the link around it is only for pages without script.
      list.addEventListener("click", function (event) {
        if (event.target.closest("a") && list.contains(event.target)) event.preventDefault();
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

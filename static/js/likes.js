// イイネ! in place: posts a like button's form (templates/partials/like.html) without leaving
// the page and shows the answer. Without this file the form posts as any form does.
"use strict";
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form.like-form");
  if (!form) return;
  event.preventDefault();
  const button = form.querySelector("button");
  const box = form.closest("[data-like]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.headers.get("Content-Type")?.includes("application/json")) {
      form.submit(); // a login page, an error page: let the browser show it
      return;
    }
    const state = await response.json();
    const liked = state.liked;
    form.action = liked ? form.dataset.unlikeUrl : form.dataset.likeUrl;
    button.classList.toggle("liked", liked);
    button.textContent = liked ? button.dataset.labelUnlike : button.dataset.labelLike;
    const count = box.querySelector(".like-count");
    count.textContent = state.count_label;
    count.hidden = state.count === 0;
    let note = box.querySelector(".like-error");
    if (state.error) {
      if (!note) {
        note = document.createElement("span");
        note.className = "like-error small";
        note.setAttribute("role", "alert");
        box.append(note);
      }
      note.textContent = state.error;
    } else if (note) {
      note.remove();
    }
  } catch {
    form.submit();
  } finally {
    button.disabled = false;
  }
});

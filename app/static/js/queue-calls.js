/* Hall display, queue band: polls the calls every 1.5 s, so a call shows within 2 s (an
   unchanged answer is a 304). Each new call or recall is shown, chimes, and is read aloud
   ("Mời số A015 đến Quầy 2") when the browser has a voice for the page's language. Without
   JavaScript the page's own refresh shows the numbers. */
(function () {
  "use strict";
  var band = document.querySelector('[data-module="queue-calls"]');
  if (!band || !window.fetch) return;
  var POLL_MS = 1500;
  var list = band.querySelector(".hall-call-list");
  var lang = document.documentElement.lang === "en" ? "en" : "vi";
  var seen = null;  // "counter|label|at" of every call on screen; null until the first answer
  var last = "";  // the last answer's text: a 304 gives the cached body again, left alone
  var audio = null;

  // A TV browser may refuse sound until someone touches the page once (autoplay rules).
  function unlock() {
    if (!audio && (window.AudioContext || window.webkitAudioContext)) {
      audio = new (window.AudioContext || window.webkitAudioContext)();
    }
    if (audio && audio.state === "suspended") audio.resume();
  }
  document.addEventListener("click", unlock);
  document.addEventListener("keydown", unlock);

  function chime() {
    unlock();
    if (!audio || audio.state !== "running") return;
    [660, 880].forEach(function (hz, i) {
      var start = audio.currentTime + i * 0.35;
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(0.4, start + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.6);
      tone.connect(gain).connect(audio.destination);
      tone.start(start);
      tone.stop(start + 0.65);
    });
  }

  function voice() {
    if (!window.speechSynthesis) return null;
    var voices = window.speechSynthesis.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang.toLowerCase().indexOf(lang) === 0) return voices[i];
    }
    return null;
  }

  function say(call) {
    var chosen = voice();
    if (!chosen) return;  // no voice for the language: the chime and the screen only
    var text = band.dataset.say.replace("{label}", call.label).replace("{counter}", call.counter);
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = chosen;
    utterance.lang = chosen.lang;
    window.speechSynthesis.speak(utterance);
  }

  function key(call) { return call.counter + "|" + call.label + "|" + call.at; }

  function render(calls) {
    var fresh = [];
    var keys = {};
    list.textContent = "";
    calls.forEach(function (call) {
      var li = document.createElement("li");
      var counter = document.createElement("span");
      var number = document.createElement("b");
      counter.className = "hall-call-counter";
      counter.textContent = call.counter;
      number.textContent = call.label;
      li.appendChild(counter);
      li.appendChild(number);
      keys[key(call)] = true;
      if (seen && !seen[key(call)]) {
        li.className = "fresh";
        fresh.push(call);
      }
      list.appendChild(li);
    });
    if (!calls.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = band.dataset.empty;
      list.appendChild(empty);
    }
    band.dataset.calls = String(calls.length);
    seen = keys;
    if (fresh.length) {
      chime();
      fresh.forEach(say);
    }
  }

  function poll() {
    fetch(band.dataset.live, {cache: "no-cache", credentials: "omit"})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text && text !== last) {
          last = text;
          render(JSON.parse(text).calls);
        }
      })
      .catch(function () { /* keep the last numbers on screen */ })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();

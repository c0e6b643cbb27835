// つなぎ 医療・介護資源マップ — progressive enhancement.
// Every page works without this file (server-rendered lists, paging,
// cookies for the shortlist and text size). With it: the map, live
// results, "near me", list ↔ map highlighting, and instant shortlist.
// Untrusted text is only ever set with textContent.
(function () {
  "use strict";

  var GROUP = {
    hospital: "g-medical", clinic: "g-medical", dental: "g-medical", pharmacy: "g-medical", home_nursing: "g-medical", midwife: "g-medical",
    care_management: "g-care", home_care: "g-care", day_care: "g-care", short_stay: "g-care", multi_function: "g-care",
    nursing_home: "g-care", residence: "g-care", welfare_equipment: "g-care",
    community_support: "g-consult", home_care_support: "g-consult", municipal_office: "g-consult", health_center: "g-consult",
    social_welfare_council: "g-consult", public_facility: "g-consult",
    meal_delivery: "g-life", shopping: "g-life", home_barber: "g-life", transport: "g-life", watching: "g-life", salon: "g-life", dementia_cafe: "g-life",
    disability_service: "g-disability"
  };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }

  // --- cookies: the same state the server reads without JavaScript ---
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function setCookie(name, value, days) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + days * 86400 + "; samesite=lax";
  }
  function shortlist() { return cookie("shortlist").split(".").filter(Boolean); }
  function updateShortlistCount() {
    var n = shortlist().length;
    document.querySelectorAll("[data-shortlist-count] .count").forEach(function (c) { c.textContent = "（" + n + "）"; });
  }

  document.addEventListener("click", function (ev) {
    var t = ev.target.closest ? ev.target.closest("[data-print], .shortlist-add, .large-toggle") : null;
    if (!t) return;
    if (t.hasAttribute("data-print")) { ev.preventDefault(); window.print(); return; }
    if (t.classList.contains("large-toggle")) {
      ev.preventDefault();
      var on = !document.body.classList.contains("large-text");
      document.body.classList.toggle("large-text", on);
      t.textContent = on ? "文字を標準に戻す" : "文字を大きく";
      setCookie("large_text", on ? "1" : "0", 365);
      return;
    }
    if (t.classList.contains("shortlist-add")) {
      ev.preventDefault();
      var ids = shortlist(), id = t.getAttribute("data-id");
      if (ids.indexOf(id) < 0 && ids.length < 20) ids.push(id);
      setCookie("shortlist", ids.join("."), 90);
      t.textContent = "比較リストに追加しました";
      t.setAttribute("aria-live", "polite");
      updateShortlistCount();
    }
  });

  // --- maps ---
  function tileLayer(node) {
    return L.tileLayer(node.getAttribute("data-tiles"), {
      attribution: node.getAttribute("data-attribution"), maxZoom: 18, minZoom: 4, crossOrigin: true
    });
  }

  function pin(category, active) {
    return L.divIcon({ className: "marker-pin " + (GROUP[category] || "g-other") + (active ? " active" : ""), iconSize: [16, 16] });
  }

  function facilityMap(node) {
    var p = node.getAttribute("data-point").split(",").map(Number);
    var map = L.map(node, { scrollWheelZoom: false }).setView(p, 16);
    tileLayer(node).addTo(map);
    L.marker(p, { title: node.getAttribute("data-name"), alt: node.getAttribute("data-name"), keyboard: true }).addTo(map);
  }

  function searchMap(node) {
    var map = L.map(node, { keyboard: true }).setView([34.05, 131.85], 10);
    tileLayer(node).addTo(map);
    var layer = L.layerGroup().addTo(map);
    var highlight = L.layerGroup().addTo(map);
    var query = node.getAttribute("data-api") || "";
    var loading = 0;

    // Outlines show where things are even when the tiles cannot load.
    fetch("/api/v1/boundaries.geojson").then(function (r) { return r.json(); }).then(function (gj) {
      L.geoJSON(gj, { style: { color: "#333", weight: 1, fill: true, fillColor: "#dfe8ef", fillOpacity: 0.35 }, interactive: false }).addTo(map).bringToBack();
    }).catch(function () {});

    function popup(marker, id) {
      fetch("/api/v1/facilities/" + id).then(function (r) { return r.json(); }).then(function (d) {
        var f = d.facility, box = el("div", {}, [
          el("strong", { text: f.name }),
          el("div", { class: "small", text: (f.categories || []).join("、") ? labelOf(f.categories) : "" }),
          f.phone ? el("div", {}, ["電話 ", el("a", { href: "tel:" + f.phone.replace(/[^0-9]/g, ""), text: f.phone })]) : null,
          el("a", { href: "/facilities/" + id, text: "くわしく見る" })
        ]);
        marker.bindPopup(box).openPopup();
      });
    }

    var labels = {};
    fetch("/api/v1/labels").then(function (r) { return r.json(); }).then(function (l) {
      l.categories.forEach(function (c) { labels[c.id] = c.name; });
    }).catch(function () {});
    function labelOf(ids) { return ids.map(function (i) { return labels[i] || i; }).join("、"); }

    function load() {
      var b = map.getBounds(), z = map.getZoom(), my = ++loading;
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (x) { return x.toFixed(5); }).join(",");
      var q = query.split("&").filter(function (kv) { return kv && !/^(page|per_page|bbox|sort)=/.test(kv); }).join("&");
      fetch("/api/v1/clusters?" + q + (q ? "&" : "") + "bbox=" + bbox + "&zoom=" + z).then(function (r) { return r.json(); }).then(function (d) {
        if (my !== loading) return;
        layer.clearLayers();
        var same = {};
        (d.clusters || []).forEach(function (c) {
          if (c.id) {
            // Facilities that share one point are fanned out around it.
            var key = c.lat.toFixed(6) + "," + c.lng.toFixed(6), k = same[key] = (same[key] || 0) + 1;
            var at = map.latLngToLayerPoint([c.lat, c.lng]);
            if (k > 1) at = at.add(L.point(Math.cos(k * 2.4) * 14 * Math.sqrt(k), Math.sin(k * 2.4) * 14 * Math.sqrt(k)));
            var m = L.marker(map.layerPointToLatLng(at), { icon: pin(c.category), keyboard: true, title: "施設" });
            m.on("click", function () { popup(m, c.id); activate(c.id, false); });
            m.on("mouseover", function () { activate(c.id, false); });
            m.on("add", function () { var e = m.getElement(); if (e) e.setAttribute("aria-label", "施設の場所（選ぶと名前と電話番号）"); });
            m.addTo(layer);
          } else {
            var size = Math.min(56, 26 + Math.log(c.count) * 5);
            var icon = L.divIcon({ className: "cluster", html: String(c.count), iconSize: [size, size] });
            var cm = L.marker([c.lat, c.lng], { icon: icon, keyboard: true, title: "このあたりに" + c.count + "か所" });
            cm.on("add", function () { var e = cm.getElement(); if (e) e.setAttribute("aria-label", "このあたりに" + c.count + "か所。選ぶと拡大します"); });
            cm.on("click", function () { map.setView([c.lat, c.lng], Math.min(map.getZoom() + 2, 18)); });
            cm.addTo(layer);
          }
        });
      }).catch(function () {});
    }
    map.on("moveend", load);

    function activate(id, pan) {
      document.querySelectorAll("#results li.result.active").forEach(function (li) { li.classList.remove("active"); });
      var li = document.querySelector('#results li.result[data-id="' + id + '"]');
      highlight.clearLayers();
      if (!li) return;
      li.classList.add("active");
      var lat = parseFloat(li.getAttribute("data-lat")), lng = parseFloat(li.getAttribute("data-lng"));
      if (!isNaN(lat)) {
        L.circleMarker([lat, lng], { radius: 14, color: "#f0a000", weight: 4, fill: false, interactive: false }).addTo(highlight);
        if (pan && !map.getBounds().contains([lat, lng])) map.panTo([lat, lng]);
      }
    }

    var list = document.getElementById("results");
    if (list) {
      ["mouseover", "focusin"].forEach(function (type) {
        list.addEventListener(type, function (ev) {
          var li = ev.target.closest && ev.target.closest("li.result");
          if (li) activate(li.getAttribute("data-id"), type === "focusin");
        });
      });
    }

    function fit() {
      var pts = [];
      document.querySelectorAll("#results li.result[data-lat]").forEach(function (li) {
        pts.push([parseFloat(li.getAttribute("data-lat")), parseFloat(li.getAttribute("data-lng"))]);
      });
      var near = node.getAttribute("data-near");
      if (near) pts.push(near.split(",").map(Number));
      if (pts.length) map.fitBounds(pts, { padding: [30, 30], maxZoom: 15 });
      else load();
    }
    fit();
    return {
      setQuery: function (q, nearPoint) {
        query = q;
        if (nearPoint) node.setAttribute("data-near", nearPoint); else node.removeAttribute("data-near");
        fit();
        load();
      }
    };
  }

  // --- live results on the search page ---
  function hiragana(s) {
    return s.normalize("NFKC").replace(/[\u30a1-\u30f6]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0x60); });
  }

  function renderItem(it) {
    var badges = el("p", { class: "badges" }, it.categories.map(function (c, i) {
      return el("span", { class: "badge " + (GROUP[c] || "g-other"), text: it.category_labels[i] || c });
    }));
    if (it.visits) badges.appendChild(el("span", { class: "badge visits", text: it.visits === "area" ? "この住所に訪問できます" : "同じ市町村に訪問しています" }));
    if (it.open) badges.appendChild(el("span", { class: "badge open-" + it.open, text: it.open === "open" ? "開いています" : it.open === "closed" ? "時間外" : "時間は未確認" }));
    var dist = it.distance_m == null ? "" : (it.distance_m < 1000 ? Math.round(it.distance_m / 10) * 10 + " m" : (it.distance_m / 1000).toFixed(1) + " km");
    var attrs = { class: "result", "data-id": String(it.id), tabindex: "-1" };
    if (it.lat != null) { attrs["data-lat"] = String(it.lat); attrs["data-lng"] = String(it.lng); }
    var back = location.pathname + location.search;
    return el("li", attrs, [
      el("h3", {}, [el("a", { href: "/facilities/" + it.id, text: it.display_name || it.name })]),
      it.display_name && it.display_name !== it.name ? el("p", { class: "reading", text: it.name }) : null,
      it.kana ? el("p", { class: "reading", text: hiragana(it.kana) }) : null,
      badges,
      it.address ? el("p", { class: "address" }, [it.address, dist ? el("span", { class: "distance", text: "（" + dist + "）" }) : null]) : null,
      el("p", { class: "contact" }, [
        it.tel ? "電話 " : null, it.tel ? el("a", { href: "tel:" + it.tel.replace(/[^0-9]/g, ""), text: it.tel }) : null,
        it.fax ? " FAX " + it.fax : null
      ]),
      el("p", { class: "actions" }, [el("a", { class: "shortlist-add", href: "/shortlist/add/" + it.id + "?back=" + encodeURIComponent(back), "data-id": String(it.id), text: "比較リストに追加" })])
    ]);
  }

  function liveSearch(form, mapApi) {
    var list = document.getElementById("results"), title = document.getElementById("results-title");
    var timer = null, seq = 0;
    function renderPager(q, d) {
      var old = document.querySelector("nav.pager");
      if (old) old.remove();
      if (d.total_pages <= 1) return;
      var base = q.split("&").filter(function (kv) { return kv && kv.indexOf("page=") !== 0; }).join("&");
      var href = function (n) { return "/?" + base + (base ? "&" : "") + "page=" + n; };
      var nav = el("nav", { class: "pager", "aria-label": "ページ" });
      if (d.page_number > 1) nav.appendChild(el("a", { rel: "prev", href: href(d.page_number - 1), text: "前へ" }));
      for (var n = Math.max(1, d.page_number - 3); n <= Math.min(d.total_pages, d.page_number + 3); n++) {
        nav.appendChild(n === d.page_number ? el("span", { "aria-current": "page", text: String(n) }) : el("a", { href: href(n), text: String(n) }));
      }
      if (d.page_number < d.total_pages) nav.appendChild(el("a", { rel: "next", href: href(d.page_number + 1), text: "次へ" }));
      list.parentNode.appendChild(nav);
    }
    function params() {
      var fd = new FormData(form), out = [];
      fd.forEach(function (v, k) { if (String(v).trim() !== "") out.push(encodeURIComponent(k) + "=" + encodeURIComponent(v)); });
      return out.join("&");
    }
    function run() {
      var q = params(), my = ++seq;
      fetch("/api/v1/facilities?" + q).then(function (r) { return r.json().then(function (d) { return { ok: r.ok, d: d }; }); }).then(function (res) {
        if (my !== seq) return;
        history.replaceState(null, "", "/?" + q);
        if (!res.ok) { title.textContent = "入力を確かめてください: " + ((res.d.error && res.d.error.message) || ""); return; }
        var d = res.d;
        list.textContent = "";
        d.items.forEach(function (it) { list.appendChild(renderItem(it)); });
        var first = (d.page_number - 1) * d.size + 1;
        title.textContent = d.total_items ? d.total_items + "件見つかりました（" + first + "〜" + (first + d.items.length - 1) + "件目）" : "条件にあう施設は見つかりませんでした。条件を減らしてみてください。";
        renderPager(q, d);
        var near = (q.match(/(?:^|&)near=([^&]*)/) || [])[1];
        if (mapApi) mapApi.setQuery(q, near ? decodeURIComponent(near) : null);
      }).catch(function () {});
    }
    form.addEventListener("change", function (ev) {
      if (ev.target.name === "addr") return; // addresses are looked up on submit
      run();
    });
    var q = form.querySelector("#q");
    if (q) q.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 350); });
  }

  function nearMe(form) {
    var b = document.getElementById("near-me");
    if (!b || !navigator.geolocation) return;
    b.hidden = false;
    b.addEventListener("click", function () {
      b.textContent = "現在地を確かめています…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        var near = form.querySelector('input[name="near"]') || form.appendChild(el("input", { type: "hidden", name: "near" }));
        near.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
        var addr = form.querySelector("#addr");
        if (addr) addr.value = "";
        var sort = form.querySelector("#sort");
        if (sort) sort.value = "distance";
        form.submit();
      }, function () { b.textContent = "現在地がわかりませんでした（住所を入力してください）"; }, { timeout: 10000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateShortlistCount();
    var node = document.getElementById("map");
    var form = document.getElementById("search");
    var mapApi = null;
    if (node && window.L) {
      try {
        if (node.hasAttribute("data-point")) facilityMap(node);
        else mapApi = searchMap(node);
      } catch (e) { /* the list still works */ }
    }
    if (form) { nearMe(form); liveSearch(form, mapApi); }
  });
})();

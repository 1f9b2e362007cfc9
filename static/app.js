// saraban: small helpers on top of htmx. Every page works without this file.
// The date picker beside a date field writes the picked day into the field in Thai
// (2 พ.ค. 2569), so what the clerk sees is what is registered.
(function () {
  var months = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."];
  document.addEventListener("change", function (event) {
    var picker = event.target;
    if (!picker.matches || !picker.matches("input[type=date][data-fills]")) return;
    var parts = (picker.value || "").split("-");
    var field = document.getElementById(picker.getAttribute("data-fills"));
    if (parts.length !== 3 || !field) return;
    field.value = Number(parts[2]) + " " + months[Number(parts[1]) - 1] + " " + (Number(parts[0]) + 543);
    picker.value = "";
  });
})();

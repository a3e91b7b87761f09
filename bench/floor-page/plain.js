// The page-load floor without a framework: one element, drawn by the page's
// only (tiny) module script. See bench/floor.ts.
const drawn = document.createElement('p');
drawn.id = 'floor-drawn';
drawn.textContent = 'drawn';
document.getElementById('root').append(drawn);
